-- want: 2:5: did you mean 'pipeline.name'
SET 'pipeline.nam' = 'x';
CREATE TABLE src (a BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM src;
