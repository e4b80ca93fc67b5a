-- want: 4:32: cannot apply '+' to BIGINT and STRING
CREATE TABLE src (user_id BIGINT, behavior STRING) WITH ('connector' = 'datagen');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT user_id + behavior FROM src;
