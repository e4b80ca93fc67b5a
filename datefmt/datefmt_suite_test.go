package datefmt_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestDatefmt(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "datefmt")
}
