// Package checkpointtest is the contract every checkpoint.Store passes, as
// Ginkgo specs: Contract declares them for a store a constructor makes.
// The file store and the DynamoDB store run it in package checkpoint's
// tests; a new store runs it too before anything uses it.
//
// It is for tests only: it imports Ginkgo and Gomega.
package checkpointtest
