// Compiles Asio and Beast once for the whole program (BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION are set on gs_core), which keeps every other translation
// unit lighter to build.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
// The webhooks' https client (asio::ssl over OpenSSL).
#include <boost/asio/ssl/impl/src.hpp>
