// The one TU that defines the Boost.Test module (and main()); linked into every test
// executable as an OBJECT library. It is compiled without the precompiled header,
// which includes Boost.Test before BOOST_TEST_MODULE could be defined.
#define BOOST_TEST_MODULE corio
#include <boost/test/unit_test.hpp>
