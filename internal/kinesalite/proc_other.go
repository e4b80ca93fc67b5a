//go:build !unix

package kinesalite

import (
	"os"
	"syscall"
)

// sysProcAttr has nothing to add off Unix: the launcher's stdin watch ends
// the process when the Go process dies.
func sysProcAttr() *syscall.SysProcAttr { return nil }

func terminate(p *os.Process) error { return p.Kill() }

func kill(p *os.Process) error { return p.Kill() }
