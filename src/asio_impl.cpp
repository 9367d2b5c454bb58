// Compiles Asio and Beast once for the whole program (BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION are set on gs_core), which keeps every other translation
// unit lighter to build.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
// asio::ssl over OpenSSL: the webhooks' https client and the Binance feed's TLS.
#include <boost/asio/ssl/impl/src.hpp>
