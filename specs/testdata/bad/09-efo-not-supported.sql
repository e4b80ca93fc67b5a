-- want: 6:35: not supported yet
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'x',
  'aws.region' = 'us-east-1',
  'scan.stream.recordpublisher' = 'EFO',
  'scan.stream.efo.consumername' = 'c',
  'format' = 'csv'
);
