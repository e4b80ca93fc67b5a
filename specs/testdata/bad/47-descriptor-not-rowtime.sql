-- want: 6:73: column `created` of table `src` is not a time attribute: the table's WATERMARK is declared FOR `ts`
CREATE TABLE src (
  created TIMESTAMP(3), ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'datagen');
CREATE TABLE out (n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(created), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;
