package kinesalite

import (
	"os"
	"syscall"
)

// sysProcAttr puts node in its own process group, so that Close reaches
// anything it spawns, and asks the kernel to kill it when the Go process
// dies. Pdeathsig follows the OS thread that forked rather than the process;
// Go keeps its threads alive unless a goroutine exits while locked to one,
// and the launcher's stdin watch covers that case too.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func terminate(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGTERM) }

func kill(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGKILL) }
