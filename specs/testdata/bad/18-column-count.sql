-- want: 4:17: produces 2
CREATE TABLE src (a BIGINT, b BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a, b FROM src;
