package clustermode

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Provider is the membership provider a node finds the others with.
type Provider int

const (
	// ProviderEtcd keeps the member list in etcd (Config.Etcd), each member
	// under a lease that ends a few seconds after the member dies.
	ProviderEtcd Provider = iota + 1
	// ProviderAutomanaged needs no external service: every node serves its
	// own description over HTTP on Config.AutomanagedPort and polls the
	// others' (Config.Seeds).
	ProviderAutomanaged
	// ProviderK8s lists the pods of the node's own namespace that carry the
	// cluster's labels: every node runs in a Kubernetes pod, under a service
	// account that may get, list, watch and patch pods there. Only a runner
	// built with the build tag k8s has it (see K8sBuilt).
	ProviderK8s
)

// String is the provider's name on the command line.
func (p Provider) String() string {
	switch p {
	case ProviderEtcd:
		return "etcd"
	case ProviderAutomanaged:
		return "automanaged"
	case ProviderK8s:
		return "k8s"
	}
	return fmt.Sprintf("Provider(%d)", int(p))
}

// ErrNotBuilt is returned by Config.Validate for --cluster-provider k8s in a
// runner built without the build tag k8s.
var ErrNotBuilt = errors.New("this runner was built without the k8s provider")

// ParseProvider reads a --cluster-provider value.
func ParseProvider(s string) (Provider, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "etcd":
		return ProviderEtcd, nil
	case "automanaged":
		return ProviderAutomanaged, nil
	case "k8s", "kubernetes":
		return ProviderK8s, nil
	}
	return 0, fmt.Errorf("--cluster-provider %q: want etcd, automanaged or k8s", s)
}

// DefaultAutomanagedPort is the port the automanaged provider serves a
// node's description on when Config.AutomanagedPort is zero (protoactor's
// own default).
const DefaultAutomanagedPort = 6330

// Config says which cluster a node joins and how. Build it with the
// command line's values and call Validate before Join.
type Config struct {
	// Name is the cluster's name (--cluster): only nodes of one name see
	// each other.
	Name string
	// Provider finds the other members.
	Provider Provider
	// Etcd lists the etcd endpoints (host:port) for ProviderEtcd.
	Etcd []string
	// Seeds lists the automanaged endpoints (host:port) of every node for
	// ProviderAutomanaged, this one's included.
	Seeds []string
	// AutomanagedPort is the port this node serves its description on for
	// ProviderAutomanaged; zero means DefaultAutomanagedPort.
	AutomanagedPort int
	// Node is the host:port this node listens on for the others (--node);
	// empty means a free port on 127.0.0.1.
	Node string
	// ListedTimeout bounds how long Join waits for the provider to list
	// the joining node; zero means DefaultListedTimeout.
	ListedTimeout time.Duration
}

// Validate returns every problem of the configuration at once, each naming
// its flag.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Name) == "" {
		errs = append(errs, errors.New("--cluster: give the cluster a name; every node of it uses the same"))
	}
	switch c.Provider {
	case ProviderEtcd:
		if len(c.Etcd) == 0 {
			errs = append(errs, errors.New("--etcd: --cluster-provider etcd needs the etcd endpoints, as --etcd 127.0.0.1:2379"))
		}
		errs = append(errs, checkAddrs("--etcd", c.Etcd)...)
	case ProviderAutomanaged:
		if len(c.Seeds) == 0 {
			errs = append(errs, errors.New("--seeds: --cluster-provider automanaged needs every node's automanaged address, as --seeds 10.0.0.1:6330,10.0.0.2:6330"))
		}
		errs = append(errs, checkAddrs("--seeds", c.Seeds)...)
	case ProviderK8s:
		errs = append(errs, validateK8s(c)...)
	default:
		errs = append(errs, errors.New("--cluster-provider: want etcd, automanaged or k8s"))
	}
	if c.Node != "" {
		errs = append(errs, checkAddrs("--node", []string{c.Node})...)
	}
	return errors.Join(errs...)
}

func checkAddrs(flag string, addrs []string) []error {
	var errs []error
	for _, a := range addrs {
		if _, _, err := splitHostPort(a); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: want HOST:PORT: %w", flag, a, err))
		}
	}
	return errs
}

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("port %q is not a number from 0 to 65535", p)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return host, port, nil
}

// listenAddr is where the node's remote layer listens.
func (c Config) listenAddr() (string, int, error) {
	if c.Node == "" {
		return "127.0.0.1", 0, nil
	}
	return splitHostPort(c.Node)
}

// validateK8s checks what the k8s provider needs of the flags: the cluster's
// name becomes a pod label value, and the node must listen on its pod's IP,
// the address the others read from the pod.
func validateK8s(c Config) []error {
	var errs []error
	if err := k8sBuilt(); err != nil {
		errs = append(errs, err)
	}
	if c.Name != "" && !isLabelValue(c.Name) {
		errs = append(errs, fmt.Errorf("--cluster %q: the k8s provider labels the pods with the cluster's name: use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit", c.Name))
	}
	host, _, err := splitHostPort(c.Node)
	ip := net.ParseIP(host)
	if c.Node == "" || (err == nil && (ip == nil || ip.IsLoopback() || ip.IsUnspecified())) {
		errs = append(errs, fmt.Errorf("--node %q: --cluster-provider k8s needs this pod's IP and a port, as --node $(POD_IP):8090 with POD_IP from the pod's status.podIP: the other nodes reach this one at its pod's IP", c.Node))
	}
	return errs
}

// isLabelValue says whether s can be a Kubernetes label value.
func isLabelValue(s string) bool {
	if len(s) > 63 {
		return false
	}
	for i, r := range s {
		alnum := r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r))
		inner := i > 0 && i < len(s)-1 && (r == '-' || r == '_' || r == '.')
		if !alnum && !inner {
			return false
		}
	}
	return true
}
