package mockserver

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
	"math/big"
	"net"
	"time"
)

// SelfSignedValidity is how long a certificate of SelfSigned is valid.
const SelfSignedValidity = 30 * 24 * time.Hour

// SelfSigned makes a self-signed TLS certificate for names (host names or IP addresses), so the
// mock can be served under the vendor's host name (console.tim.qq.com, as the vendor's console
// insists on *.tim.qq.com or *.im.qcloud.com) with no terminator in front. It returns the
// certificate and its PEM, for the client to trust (NODE_EXTRA_CA_CERTS for the console's Node
// server, a browser's --ignore-certificate-errors-spki-list, or a Go test's pool).
func SelfSigned(names ...string) (tls.Certificate, []byte, error) {
	if len(names) == 0 {
		return tls.Certificate{}, nil, errors.New("mockserver: a self-signed certificate needs at least one name, e.g. console.tim.qq.com")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("mockserver: certificate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("mockserver: certificate serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: names[0], Organization: []string{"livehook mock Live backend"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(SelfSignedValidity),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("mockserver: certificate: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("mockserver: certificate key: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("mockserver: certificate: %w", err)
	}
	return cert, certPEM, nil
}
