-- want: 8:66: expected ',' or ')'
-- A comma is missing after the secret, on its line: the file does not parse.
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'orders',
  'aws.region' = 'eu-west-1',
  'aws.credentials.provider' = 'BASIC',
  'aws.credentials.basic.secretkey' = 'S3CR3T-82-Hy6uJm3NbV9cXz' 'aws.credentials.basic.accesskeyid' = 'AKIAIOSFODNN7EXAMPLE',
  'format' = 'json'
);
