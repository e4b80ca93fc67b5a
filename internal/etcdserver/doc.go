// Package etcdserver runs an etcd server as a child process for shardflow's
// specs of cluster mode: on free loopback ports, with a temporary data
// directory removed by Close. The child dies with the process that started
// it (a parent-death signal on Linux).
//
// etcd is Debian's etcd-server package (the test script installs it when
// `etcd` is not on PATH); when it is missing, Start fails with an error
// that says so. It never skips. It is not for production use.
package etcdserver
