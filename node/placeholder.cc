namespace inbeeld::node {}
