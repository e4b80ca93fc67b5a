package jobfile_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestJobfile(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "jobfile")
}
