-- want: 11:32: credentials provider ASSUME_ROLE needs option 'aws.credentials.role.arn'
-- want: 11:32: credentials provider ASSUME_ROLE needs option 'aws.credentials.role.sessionName'
-- want: 12:37: credentials provider BASIC needs option 'aws.credentials.role.provider.basic.accesskeyid'
-- want: 14:3: option 'aws.credentials.role.provider.role.provider' would be ignored
-- want: 15:3: option 'aws.credentials.role.provider.role.provider.basic.secretkey' would be ignored
-- The secret keys of nested role providers, one and two levels down.
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'orders',
  'aws.region' = 'eu-west-1',
  'aws.credentials.provider' = 'ASSUME_ROLE',
  'aws.credentials.role.provider' = 'BASIC',
  'aws.credentials.role.provider.basic.secretkey' = 'S3CR3T-84a-Gt5rFe4DwS3aQ2zX',
  'aws.credentials.role.provider.role.provider' = 'BASIC',
  'aws.credentials.role.provider.role.provider.basic.secretkey' = 'S3CR3T-84b-Lk9jHg8FdS7aPo6i',
  'format' = 'json'
);
