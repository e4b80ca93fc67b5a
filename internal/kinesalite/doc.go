// Package kinesalite runs kinesalite, an independent Kinesis emulator from
// npm, as a child process so that specs can hold the project's own endpoint
// (package kinesislocal) against a second implementation. It runs dynalite,
// the DynamoDB emulator of the same author, the same way (StartDynalite),
// for the DynamoDB checkpoint store's tests.
//
// Start launches it on a free loopback port, waits until it answers a
// ListStreams call and returns a Server whose URL an aws-sdk-go-v2 client
// uses as its BaseEndpoint; Close stops the whole process group. The child
// also dies with the process that started it (a parent-death signal on
// Linux, and on every platform the end of its standard input), so an
// interrupted test binary leaves no emulator behind.
//
// kinesalite is installed from the repository's package.json and
// package-lock.json by `npm ci`; when node_modules/kinesalite is missing,
// Start fails with a NotInstalledError that says so. It never skips.
//
// It is not for production use, and not a Kinesis client: specs talk to the
// emulator through the AWS SDK.
package kinesalite
