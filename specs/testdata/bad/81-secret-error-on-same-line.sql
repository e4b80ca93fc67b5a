-- want: 9:69: unknown option 'aws.regoin'
-- An unknown option on the line that holds the secret.
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'orders',
  'format' = 'json',
  'aws.credentials.provider' = 'BASIC',
  'aws.credentials.basic.accesskeyid' = 'AKIAIOSFODNN7EXAMPLE',
  'aws.credentials.basic.secretkey' = 'S3CR3T-81-Qx7vLmN2pR4tZ8wK', 'aws.regoin' = 'eu-west-1'
);
