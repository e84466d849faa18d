<?php
/**
 * The plugin's settings (one option) and the Settings → Précis page.
 *
 * @package Precis
 */

defined( 'ABSPATH' ) || exit;

/**
 * Settings: the Précis URL, API key, webhook secret, timeout and the fields to fill.
 */
class Precis_Settings {

	const OPTION = 'precis_settings';
	const PAGE   = 'precis';

	/**
	 * What can be filled: a field's name => its label. `excerpt` is the summary, written to the excerpt.
	 */
	const FIELDS = array(
		'summary'         => 'Summary (precis_summary)',
		'key_points'      => 'Key points (precis_key_points)',
		'seo_description' => 'SEO description (precis_seo_description, and the page\'s meta description)',
		'social'          => 'Social post (precis_social)',
		'excerpt'         => 'Excerpt, when it is empty or was written by Précis',
	);

	/**
	 * Secrets: kept server-side, never printed back into a page.
	 */
	const SECRETS = array( 'api_key', 'webhook_secret' );

	/**
	 * The settings with their defaults.
	 *
	 * @return array
	 */
	public static function get() {
		$defaults = array(
			'url'            => 'http://127.0.0.1:8000',
			'api_key'        => '',
			'webhook_secret' => '',
			'timeout'        => 15,
			'fields'         => array_keys( self::FIELDS ),
			'on_publish'     => true,
		);
		$saved    = get_option( self::OPTION, array() );
		return array_merge( $defaults, is_array( $saved ) ? $saved : array() );
	}

	/**
	 * Whether a field is to be filled.
	 *
	 * @param string $field A key of FIELDS.
	 * @return bool
	 */
	public static function fills( $field ) {
		return in_array( $field, (array) self::get()['fields'], true );
	}

	/**
	 * Hooks the settings page.
	 */
	public static function register() {
		add_action( 'admin_init', array( __CLASS__, 'register_setting' ) );
		add_action( 'admin_menu', array( __CLASS__, 'add_page' ) );
	}

	/**
	 * Registers the option with its sanitiser (the Settings API checks the nonce and manage_options).
	 */
	public static function register_setting() {
		register_setting(
			'precis',
			self::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( __CLASS__, 'sanitize' ),
				'show_in_rest'      => false,
			)
		);
	}

	/**
	 * Adds Settings → Précis.
	 */
	public static function add_page() {
		add_options_page( 'Précis', 'Précis', 'manage_options', self::PAGE, array( __CLASS__, 'render_page' ) );
	}

	/**
	 * Cleans the submitted settings. An empty secret field keeps the stored secret (the form never
	 * holds it); its "clear" box removes it.
	 *
	 * @param mixed $input The submitted values.
	 * @return array
	 */
	public static function sanitize( $input ) {
		$input   = is_array( $input ) ? $input : array();
		$current = self::get();
		$clean   = array(
			'url'        => untrailingslashit( esc_url_raw( trim( (string) ( $input['url'] ?? $current['url'] ) ) ) ),
			'timeout'    => max( 1, min( 120, absint( $input['timeout'] ?? $current['timeout'] ) ) ),
			'fields'     => array_values( array_intersect( array_keys( self::FIELDS ), (array) ( $input['fields'] ?? array() ) ) ),
			'on_publish' => ! empty( $input['on_publish'] ),
		);
		foreach ( self::SECRETS as $secret ) {
			$given = trim( (string) ( $input[ $secret ] ?? '' ) );
			if ( ! empty( $input[ $secret . '_clear' ] ) ) {
				$clean[ $secret ] = '';
			} else {
				$clean[ $secret ] = '' === $given ? $current[ $secret ] : sanitize_text_field( $given );
			}
		}
		return $clean;
	}

	/**
	 * The settings page, and the archive backfill below it.
	 */
	public static function render_page() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$settings = self::get();
		$name     = self::OPTION;
		?>
		<div class="wrap">
			<h1>Précis</h1>
			<form method="post" action="options.php">
				<?php settings_fields( 'precis' ); ?>
				<table class="form-table" role="presentation">
					<tr>
						<th scope="row"><label for="precis-url">Précis URL</label></th>
						<td><input type="url" class="regular-text" id="precis-url" name="<?php echo esc_attr( $name ); ?>[url]" value="<?php echo esc_attr( $settings['url'] ); ?>" /></td>
					</tr>
					<?php self::render_secret( 'api_key', 'API key', 'Sent as a Bearer token.' ); ?>
					<?php self::render_secret( 'webhook_secret', 'Webhook secret', 'Précis\'s WEBHOOK_SECRET (whsec_…): verifies the archive backfill\'s callbacks.' ); ?>
					<tr>
						<th scope="row"><label for="precis-timeout">Timeout (seconds)</label></th>
						<td><input type="number" min="1" max="120" id="precis-timeout" name="<?php echo esc_attr( $name ); ?>[timeout]" value="<?php echo esc_attr( $settings['timeout'] ); ?>" /></td>
					</tr>
					<tr>
						<th scope="row">Fields to fill</th>
						<td>
							<?php foreach ( self::FIELDS as $field => $label ) : ?>
								<label><input type="checkbox" name="<?php echo esc_attr( $name ); ?>[fields][]" value="<?php echo esc_attr( $field ); ?>" <?php checked( in_array( $field, (array) $settings['fields'], true ) ); ?> /> <?php echo esc_html( $label ); ?></label><br />
							<?php endforeach; ?>
						</td>
					</tr>
					<tr>
						<th scope="row">When</th>
						<td><label><input type="checkbox" name="<?php echo esc_attr( $name ); ?>[on_publish]" value="1" <?php checked( $settings['on_publish'] ); ?> /> On publish and on every update of a published post</label></td>
					</tr>
				</table>
				<?php submit_button(); ?>
			</form>
			<?php Precis_Backfill::render_section(); ?>
		</div>
		<?php
	}

	/**
	 * A secret's row: a password field that is always empty, and whether a value is set.
	 *
	 * @param string $secret      Its key.
	 * @param string $label       Its label.
	 * @param string $description What it is for.
	 */
	private static function render_secret( $secret, $label, $description ) {
		$is_set = '' !== self::get()[ $secret ];
		$field  = self::OPTION . '[' . $secret . ']';
		?>
		<tr>
			<th scope="row"><label for="precis-<?php echo esc_attr( $secret ); ?>"><?php echo esc_html( $label ); ?></label></th>
			<td>
				<input type="password" class="regular-text" autocomplete="new-password" id="precis-<?php echo esc_attr( $secret ); ?>" name="<?php echo esc_attr( $field ); ?>" value="" placeholder="<?php echo $is_set ? esc_attr( 'set (leave empty to keep it)' ) : ''; ?>" />
				<span class="precis-secret-state"><?php echo $is_set ? 'set' : 'empty'; ?></span>
				<?php if ( $is_set ) : ?>
					<label><input type="checkbox" name="<?php echo esc_attr( self::OPTION . '[' . $secret . '_clear]' ); ?>" value="1" /> clear</label>
				<?php endif; ?>
				<p class="description"><?php echo esc_html( $description ); ?></p>
			</td>
		</tr>
		<?php
	}
}
