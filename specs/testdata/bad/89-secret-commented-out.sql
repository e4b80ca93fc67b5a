-- want: 5:3: unknown option 'streem'
-- An old secret commented out on the line of an error.
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'streem' = 'orders', -- was 'aws.credentials.basic.secretkey' = 'S3CR3T-89-Ws2eDr3fTg4yHu5j'
  'aws.region' = 'eu-west-1',
  'format' = 'json'
);
