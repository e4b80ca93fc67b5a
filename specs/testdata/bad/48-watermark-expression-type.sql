-- want: 3:92: the WATERMARK expression arrival - INTERVAL '5' SECOND is TIMESTAMP_LTZ(3), but it must be TIMESTAMP
CREATE TABLE src (
  ts TIMESTAMP(3), arrival TIMESTAMP_LTZ(3) METADATA FROM 'timestamp', WATERMARK FOR ts AS arrival - INTERVAL '5' SECOND
) WITH ('connector' = 'kinesis', 'stream' = 's', 'aws.region' = 'us-east-1', 'format' = 'json');
CREATE TABLE out (t TIMESTAMP(3)) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT ts FROM src;
