package kinesisclient_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestKinesisclient(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "kinesisclient")
}
