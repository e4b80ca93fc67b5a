-- want: 4:5: unknown SET key 'aws.credentials.basic.secretkey'
-- A table's secret set for the job: SET does not take it, and the error
-- must not show its value.
SET 'aws.credentials.basic.secretkey' = 'S3CR3T-85-Mn8bVc7XzA6sDf5g';
CREATE TABLE t (a BIGINT) WITH ('connector' = 'blackhole');
