//go:build !linux

package etcdserver

import "syscall"

// sysProcAttr has no parent-death signal outside Linux: an interrupted
// test binary may leave etcd running.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }
