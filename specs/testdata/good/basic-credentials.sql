-- A kinesis table with BASIC credentials: validate must not print the secret.
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'orders',
  'aws.region' = 'eu-west-1',
  'aws.credentials.provider' = 'BASIC',
  'aws.credentials.basic.accesskeyid' = 'AKIAIOSFODNN7EXAMPLE',
  'aws.credentials.basic.secretkey' = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'format' = 'json'
);
