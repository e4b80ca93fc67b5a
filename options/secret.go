package options

import (
	"sort"
	"strings"
)

// secretWords mark a key whose value is a secret even when no catalogue
// knows it: a misspelt 'aws.credentials.basic.secretKey' is refused as
// unknown, but its value is somebody's secret all the same.
var secretWords = []string{"secret", "password", "passwd", "token"}

// IsSecret reports whether the value of option key must never be printed:
// a connector's catalogue marks it Secret (every basic.secretkey, those of
// nested role providers included), or its lower-cased key holds "secret",
// "password", "passwd" or "token" (but a path to a token file is not
// secret). Keys are compared as written, blanks trimmed, in any case.
func IsSecret(key string) bool {
	k := strings.ToLower(strings.TrimSpace(key))
	if k == "" {
		return false
	}
	for _, c := range []*catalogue{kinesisCatalogue, printCatalogue, blackholeCatalogue, datagenCatalogue, jobCatalogue} {
		if s := c.lookup(strings.TrimSpace(key)); s != nil && s.Secret {
			return true
		}
	}
	if strings.HasSuffix(k, ".file") || strings.HasSuffix(k, ".path") {
		return false
	}
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// SecretKeys returns the keys every catalogue marks Secret, sorted, for
// specs and documentation.
func SecretKeys() []string {
	var keys []string
	for _, c := range []*catalogue{kinesisCatalogue, printCatalogue, blackholeCatalogue, datagenCatalogue, jobCatalogue} {
		for i := range c.specs {
			if c.specs[i].Secret {
				keys = append(keys, c.specs[i].Key)
			}
		}
	}
	sort.Strings(keys)
	return keys
}
