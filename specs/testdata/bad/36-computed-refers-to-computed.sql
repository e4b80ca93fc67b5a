-- want: 2:46: cannot refer to computed column `b`
CREATE TABLE src (a BIGINT, b AS a + 1, c AS b * 2) WITH ('connector' = 'datagen');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT c FROM src;
