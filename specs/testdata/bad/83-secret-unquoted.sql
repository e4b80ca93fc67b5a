-- want: 6:39: expected a quoted value
-- The secret is not quoted: the parser's message names the token it found.
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'orders',
  'aws.credentials.basic.secretkey' = S3CR3T83Fq2WmZ8xLpR7dKs/Vn4+Tb9YhJ,
  'format' = 'json'
);
