-- want: 4:41: WHERE must be a BOOLEAN
CREATE TABLE src (a BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM src WHERE a + 1;
