-- want: 4:33: column `s` is neither in GROUP BY nor inside an aggregate function
CREATE TABLE src (user_id BIGINT, s STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'datagen');
CREATE TABLE out (u BIGINT, s STRING, n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT user_id, s, COUNT(*)
FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, user_id;
