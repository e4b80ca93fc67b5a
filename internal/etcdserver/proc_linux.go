package etcdserver

import "syscall"

// sysProcAttr asks the kernel to kill etcd when the Go process dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
