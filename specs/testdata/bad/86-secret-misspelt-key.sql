-- want: 7:3: did you mean 'aws.credentials.basic.secretkey'
-- A misspelt secret key is unknown, but its value is a secret all the same.
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'orders',
  'aws.region' = 'eu-west-1',
  'aws.credentials.basic.secretKey' = 'S3CR3T-86-Rt4eWq3AsD2fGh1j',
  'format' = 'json'
);
