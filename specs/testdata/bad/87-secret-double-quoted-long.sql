-- want: 6:39: double quotes are not used
-- A long secret in double quotes: the lexer's message quotes the start of it.
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'orders',
  'aws.credentials.basic.secretkey' = "S3CR3T-87-Pl0oKi9uJy8hTg7rFe6dWs5aQz4xSc3vDb2nMh1jLk",
  'format' = 'json'
);
