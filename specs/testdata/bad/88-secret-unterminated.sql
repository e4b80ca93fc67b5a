-- want: 8:39: unterminated string
-- The secret's closing quote is missing: the string runs to the end of the file.
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'orders',
  'aws.region' = 'eu-west-1',
  'format' = 'json',
  'aws.credentials.basic.secretkey' = 'S3CR3T-88-Zx1cVb2nMq3wEr4tYu
);
