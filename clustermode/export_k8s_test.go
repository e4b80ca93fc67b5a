//go:build k8s

package clustermode

// RemoveStaleLabels is the JSON patch a node sends its pod at the start.
var RemoveStaleLabels = removeStaleLabels
