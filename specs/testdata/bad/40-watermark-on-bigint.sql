-- want: 4:17: the WATERMARK column `ts` is BIGINT
CREATE TABLE src (
  s STRING, ts BIGINT,
  WATERMARK FOR ts AS ts - 5000
) WITH ('connector' = 'datagen');
CREATE TABLE out (v STRING) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT s FROM src;
