-- want: 8:3: option 'aws.credentials.basic.secretkey' would be ignored
-- The secret key is given but the provider is AUTO: the error is on the
-- secret's own line, and neither its excerpt nor its message may show it.
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'orders',
  'aws.region' = 'eu-west-1',
  'aws.credentials.basic.secretkey' = 'S3CR3T-80-wJalrXUtnFEMIK7MDENGbPxRfiCY',
  'format' = 'json'
);
