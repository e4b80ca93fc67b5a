-- want: 4:5: did you mean 'pipeline.name'
-- want: 7:23: must be an integer
-- want: 9:32: cannot apply '+' to BIGINT and STRING
SET 'pipeline.nam' = 'x';
CREATE TABLE src (user_id BIGINT, behavior STRING) WITH (
  'connector' = 'datagen',
  'rows-per-second' = 'fast');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT user_id + behavior FROM src;
