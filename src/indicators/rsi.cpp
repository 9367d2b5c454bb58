#include "goldensignals/indicators/rsi.h"

#include "indicators/wilder_gain_loss.h"

namespace gs::indicators {

void rsi(std::span<const double> in, int period, std::span<double> out) noexcept {
    detail::wilder_gain_loss(in, period, out, [](double gain, double loss) {
        const double total = gain + loss;
        return ta_is_zero(total) ? 0.0 : 100.0 * (gain / total);
    });
}

}  // namespace gs::indicators
