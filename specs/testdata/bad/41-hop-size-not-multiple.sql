-- want: 5:64: HOP size 10 s is not a whole multiple of its slide 3 s
CREATE TABLE src (s STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'datagen');
CREATE TABLE out (n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT COUNT(*)
FROM TABLE(HOP(TABLE src, DESCRIPTOR(ts), INTERVAL '3' SECOND, INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
