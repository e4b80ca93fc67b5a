-- want: 4:24: user_idd
CREATE TABLE src (user_id BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT user_idd FROM src;
