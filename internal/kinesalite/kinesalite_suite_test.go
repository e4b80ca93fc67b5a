package kinesalite_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/internal/kinesalite"
)

// orphanHelperEnv makes the test binary act as a parent that starts
// kinesalite, prints its URL and then waits to be killed (see the spec
// "stops when the process that started it dies").
const orphanHelperEnv = "SHARDFLOW_KINESALITE_ORPHAN_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(orphanHelperEnv) != "" {
		s, err := kinesalite.Start(context.Background(), kinesalite.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Printf("url %s\n", s.URL())
		time.Sleep(time.Hour) // killed by the spec long before
		os.Exit(3)
	}
	os.Exit(m.Run())
}

func TestKinesalite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Kinesalite Suite")
}
