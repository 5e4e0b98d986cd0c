package vigil.format_test

import rego.v1

import data.vigil.format

test_two_decimals if {
	format.two_decimals(1) == "1.00"
	format.two_decimals(0) == "0.00"
	format.two_decimals(0.87) == "0.87"
	format.two_decimals(1.405) == "1.41"
	format.two_decimals(0.05) == "0.05"
	format.two_decimals(12.3) == "12.30"
}
