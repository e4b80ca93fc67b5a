-- want: 5:14: must be one of csv, json, raw
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'x',
  'format' = 'avro',
  'aws.region' = 'us-east-1'
);
