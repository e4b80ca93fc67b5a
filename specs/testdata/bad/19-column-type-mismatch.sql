-- want: 4:24: does not fit column `v` BIGINT
CREATE TABLE src (s STRING) WITH ('connector' = 'datagen');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT s FROM src;
