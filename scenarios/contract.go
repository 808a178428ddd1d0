package scenarios

import (
	"bytes"
	_ "embed"
)

//go:generate cp ../scenarios.yaml contract.yaml

// Contract is the built-in contract, scenarios.yaml at the repository's top: what a correct app
// backend must do. contract.yaml is its copy for embedding; go generate ./scenarios refreshes it,
// and a test fails when the two differ.
//
//go:embed contract.yaml
var Contract []byte

// ContractName names the built-in contract in messages and reports.
const ContractName = "scenarios.yaml (built-in)"

// ReadContract parses the built-in contract.
func ReadContract(opts ...ParseOption) (*File, error) {
	return Parse(ContractName, bytes.NewReader(Contract), opts...)
}
