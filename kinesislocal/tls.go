package kinesislocal

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Where a generated certificate and its key are kept in a data directory,
// so that clients that trust it keep trusting it after a restart.
const (
	tlsDir      = "tls"
	tlsCertFile = "cert.pem"
	tlsKeyFile  = "key.pem"
)

// serverCert returns the certificate to serve for host, its PEM form and
// the file that holds it ("" when none does): the one of
// Options.TLSCertFile and TLSKeyFile; else, with DataDir, the one kept
// there, made when missing, expiring within a day or not valid for host;
// else a new one, in memory only.
func (s *Server) serverCert(host string) (tls.Certificate, []byte, string, error) {
	if s.opts.TLSCertFile != "" {
		cert, err := tls.LoadX509KeyPair(s.opts.TLSCertFile, s.opts.TLSKeyFile)
		if err != nil {
			return tls.Certificate{}, nil, "", fmt.Errorf("loading the certificate %s and key %s (options TLSCertFile, TLSKeyFile): %w", s.opts.TLSCertFile, s.opts.TLSKeyFile, err)
		}
		pemBytes, err := os.ReadFile(s.opts.TLSCertFile)
		return cert, pemBytes, s.opts.TLSCertFile, err
	}
	if s.files == nil {
		cert, certPEM, _, err := selfSignedCert(host)
		return cert, certPEM, "", err
	}
	dir := filepath.Join(s.files.root, tlsDir)
	certPath, keyPath := filepath.Join(dir, tlsCertFile), filepath.Join(dir, tlsKeyFile)
	if cert, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil && certFits(cert, host) {
		pemBytes, err := os.ReadFile(certPath)
		return cert, pemBytes, certPath, err
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Warn("making a new TLS certificate: the one in the data directory is unusable", "path", certPath, "err", err)
	}
	cert, certPEM, keyPEM, err := selfSignedCert(host)
	if err != nil {
		return cert, nil, "", err
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return cert, nil, "", err
	}
	if err := writeFileAtomic(keyPath, keyPEM); err != nil {
		return cert, nil, "", fmt.Errorf("writing %s: %w", keyPath, err)
	}
	if err := writeFileAtomic(certPath, certPEM); err != nil {
		return cert, nil, "", fmt.Errorf("writing %s: %w", certPath, err)
	}
	return cert, certPEM, certPath, nil
}

// certFits reports whether a kept certificate is valid for host for at
// least another day.
func certFits(cert tls.Certificate, host string) bool {
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil || time.Until(leaf.NotAfter) < 24*time.Hour {
		return false
	}
	return leaf.VerifyHostname(host) == nil
}

// selfSignedCert makes a certificate for localhost, the loopback addresses
// and host, valid for a year; it returns it with its PEM form and its key's.
func selfSignedCert(host string) (tls.Certificate, []byte, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "shardflow local Kinesis endpoint"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		}
	} else if host != "" && host != "localhost" {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, certPEM, keyPEM, nil
}
