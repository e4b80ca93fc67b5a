-- want: 7:36: enhanced fan-out with registration NONE needs option 'scan.stream.efo.consumerarn'
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'x',
  'aws.region' = 'us-east-1',
  'scan.stream.recordpublisher' = 'EFO',
  'scan.stream.efo.registration' = 'NONE',
  'format' = 'csv'
);
