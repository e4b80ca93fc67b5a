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
// nested role providers included), or the key looks like one. A key looks
// secret when, in lower case and with only its letters and digits, it holds
// "secret", "password", "passwd" or "token" (a path to a token file is not
// secret), or when it is a typo away from a secret key: its last segment
// within two edits of "secretkey", the whole key within three of a
// catalogue's secret key, or the key cut short inside its "secretkey". Hiding a value that was not secret costs little;
// printing one that was cannot be undone.
func IsSecret(key string) bool {
	k := strings.ToLower(strings.TrimSpace(key))
	if k == "" {
		return false
	}
	for _, c := range allCatalogues() {
		if s := c.lookup(strings.TrimSpace(key)); s != nil && s.Secret {
			return true
		}
	}
	if strings.HasSuffix(k, ".file") || strings.HasSuffix(k, ".path") {
		return false
	}
	alnum := strings.Map(keepAlnum, k)
	for _, w := range secretWords {
		if strings.Contains(alnum, w) {
			return true
		}
	}
	last := k[strings.LastIndexByte(k, '.')+1:]
	if near(strings.Map(keepAlnum, last), "secretkey", 2) {
		return true
	}
	for _, sk := range secretKeys {
		sk = strings.ToLower(sk)
		if near(k, sk, 3) || strings.HasPrefix(sk, k) && len(k) > len(sk)-len("secretkey") {
			return true
		}
	}
	return false
}

// secretKeys are the catalogues' secret keys, for IsSecret's typo check.
var secretKeys = SecretKeys()

func keepAlnum(r rune) rune {
	if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
		return r
	}
	return -1
}

// near reports whether a is within d edits of b; strings whose lengths
// differ by more than d are not compared, so a long text costs nothing.
func near(a, b string, d int) bool {
	if len(a) > len(b)+d || len(a) < len(b)-d {
		return false
	}
	return editDistance(a, b) <= d
}

func allCatalogues() []*catalogue {
	return []*catalogue{kinesisCatalogue, printCatalogue, blackholeCatalogue, datagenCatalogue, jobCatalogue}
}

// SecretKeys returns the keys every catalogue marks Secret, sorted, for
// specs and documentation.
func SecretKeys() []string {
	var keys []string
	for _, c := range allCatalogues() {
		for i := range c.specs {
			if c.specs[i].Secret {
				keys = append(keys, c.specs[i].Key)
			}
		}
	}
	sort.Strings(keys)
	return keys
}
