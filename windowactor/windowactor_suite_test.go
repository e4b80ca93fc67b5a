package windowactor_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestWindowActor(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "windowactor")
}
