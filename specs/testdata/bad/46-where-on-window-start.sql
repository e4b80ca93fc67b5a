-- want: 6:7: WHERE cannot use window_start
CREATE TABLE src (s STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'datagen');
CREATE TABLE out (n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT COUNT(*)
FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
WHERE window_start > TIMESTAMP '2024-01-01 00:00:00'
GROUP BY window_start, window_end;
