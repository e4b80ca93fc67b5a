//go:build unix && !linux

package kinesalite

import (
	"os"
	"syscall"
)

// sysProcAttr puts node in its own process group so that Close reaches
// anything it spawns. Without Pdeathsig here, the launcher's stdin watch
// ends the process when the Go process dies.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func terminate(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGTERM) }

func kill(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGKILL) }
